import { hostname } from 'node:os';
import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, startTestApi } from '../../../../test/support';
import { rowCounts, subscriptionsOf } from './subscription-test-helpers';

// Registration only parses and resolves: no request here leaves 127.0.0.1 (DNS lookups aside).
describe('subscription URLs with ALLOW_PRIVATE_NETWORKS=false (docs/contract.md#security-and-limits)', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi({ ALLOW_PRIVATE_NETWORKS: 'false' });
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  const refused = (reason: string) => [{ field: 'url', message: `must point to a public address: ${reason}` }];

  it.each([
    ['http://127.0.0.1/hook', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://127.0.0.1:3000/hook', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://2130706433/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://0x7f000001/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://127.1/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://0177.0.0.1/', '127.0.0.1 is in a blocked range (loopback)'],
    ['http://[::1]/', '::1 is in a blocked range (loopback)'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is in a blocked range (loopback)'],
    ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1 is in a blocked range (private)'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a cloud metadata address'],
    ['http://[64:ff9b::7f00:1]/', '64:ff9b::7f00:1 is in a blocked range (loopback)'],
    ['http://[2002:7f00:1::]/', '2002:7f00:1:: is in a blocked range (loopback)'],
    ['http://10.0.0.1/', '10.0.0.1 is in a blocked range (private)'],
    ['http://172.16.5.4/', '172.16.5.4 is in a blocked range (private)'],
    ['http://192.168.1.1/', '192.168.1.1 is in a blocked range (private)'],
    ['http://[fd12:3456::1]/', 'fd12:3456::1 is in a blocked range (uniqueLocal)'],
    ['http://169.254.10.10/', '169.254.10.10 is in a blocked range (linkLocal)'],
    ['http://[fe80::1]/', 'fe80::1 is in a blocked range (linkLocal)'],
    ['http://100.64.0.1/', '100.64.0.1 is in a blocked range (carrierGradeNat)'],
    ['http://224.0.0.251/', '224.0.0.251 is in a blocked range (multicast)'],
    ['http://[ff02::1]/', 'ff02::1 is in a blocked range (multicast)'],
    ['http://0.0.0.0/', '0.0.0.0 is in a blocked range (unspecified)'],
    ['http://0/', '0.0.0.0 is in a blocked range (unspecified)'],
    ['http://[::]/', ':: is in a blocked range (unspecified)'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://100.100.100.200/', '100.100.100.200 is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['https://localhost/hook', 'localhost is a loopback name'],
    ['https://LOCALHOST.:8443/', 'localhost is a loopback name'],
    ['https://hooks.localhost/', 'hooks.localhost is a loopback name'],
  ])('refuses %s', async (url, reason) => {
    const tenant = await createTenant(api);
    const response = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send({ url });
    expect({ status: response.status, errors: response.body.errors }).toEqual({ status: 422, errors: refused(reason) });
    expect(await rowCounts(prisma, tenant.id)).toEqual({ subscriptions: 0, secrets: 0 });
  });

  // A machine's own name resolves, through the hosts file, to loopback or a private address on
  // every host we run on, so this exercises the resolved-address check with a real lookup.
  it("refuses a name that resolves to a blocked address (this machine's own host name)", async () => {
    const tenant = await createTenant(api);
    const response = await api.http
      .post(subscriptionsOf(tenant.id))
      .set(api.auth())
      .send({ url: `https://${hostname()}/hook` });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { field: 'url', message: expect.stringMatching(new RegExp(`^must point to a public address: ${hostname().toLowerCase()} resolves to \\S+, which is `)) },
    ]);
  });

  it('accepts a public address literal and a host name that does not resolve yet', async () => {
    const tenant = await createTenant(api);
    for (const url of ['https://93.184.215.14/hook', 'https://[2606:4700:4700::1111]/hook', 'https://does-not-exist.invalid/']) {
      const response = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send({ url });
      expect([url, response.status, response.body.url]).toEqual([url, 201, url]);
    }
  });

  it('applies the same check when the URL is updated, and keeps the old URL', async () => {
    const tenant = await createTenant(api);
    const created = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send({ url: 'https://93.184.215.14/hook' }).expect(201);
    const path = `${subscriptionsOf(tenant.id)}/${created.body.id}`;
    const response = await api.http.patch(path).set(api.auth()).send({ url: 'http://0x7f000001:8080/', description: 'changed' }).expect(422);
    expect(response.body.errors).toEqual(refused('127.0.0.1 is in a blocked range (loopback)'));
    const current = await api.http.get(path).set(api.auth()).expect(200);
    expect(current.body).toMatchObject({ url: 'https://93.184.215.14/hook', description: null });
  });
});
