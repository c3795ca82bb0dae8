import { createSigner } from './create-signer';
import { githubSignature } from './hmac-signing-key';

describe('Standard Webhooks v1 known answers (docs/contract.md#the-request-your-endpoint-receives)', () => {
  it.each([
    {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      expected: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
    {
      secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
      msgId: 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk',
      timestamp: 1649367553,
      body: '{"email":"test@example.com","username":"test_user"}',
      expected: 'v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=',
    },
  ])('signs $msgId', ({ secret, msgId, timestamp, body, expected }) => {
    expect(createSigner(secret).sign(msgId, timestamp, body)).toBe(expected);
  });

  it('gives the same answer when the key is reused', () => {
    const key = createSigner('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    key.sign('msg_other', 1, 'other body');
    expect(key.sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('GitHub-style x-hub-signature-256', () => {
  const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('reproduces the GitHub documentation answer', () => {
    expect(githubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(expected);
  });

  it('keys a whsec_ secret by the whole string, prefix included', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(createSigner(secret).hubSignature('Hello, World!')).toBe(githubSignature(secret, 'Hello, World!'));
  });
});

describe('createSigner', () => {
  it.each(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_not base64!', 'whsk_AAAA'])('refuses %p', (secret) => {
    expect(() => createSigner(secret)).toThrow(/invalid/);
  });

  it('does not echo the secret in its error', () => {
    expect(() => createSigner('whsec_sup3r$ecret')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sup3r') }));
  });
});
