import { planBench } from '../bench/main';

describe('npm run bench [scenario…]', () => {
  it('runs the delivery scenarios when named nothing', () => {
    expect(planBench([])).toEqual({ suites: ['delivery'], deliveryScenarios: [], flags: [] });
  });

  it('runs only the delivery scenarios named, and passes flags on', () => {
    expect(planBench(['3', '3b', '--quick'])).toEqual({ suites: ['delivery'], deliveryScenarios: ['3', '3b'], flags: ['--quick'] });
  });

  it('takes noisy-tenant as a delivery scenario', () => {
    expect(planBench(['noisy-tenant', '--quick'])).toEqual({ suites: ['delivery'], deliveryScenarios: ['noisy-tenant'], flags: ['--quick'] });
  });

  it('takes retention as a delivery scenario that runs alone', () => {
    expect(planBench(['retention'])).toEqual({ suites: ['delivery'], deliveryScenarios: ['retention'], flags: [] });
    expect(() => planBench(['retention', '7'])).toThrow(/retention runs alone/);
  });

  it('runs the named suites in the order given', () => {
    expect(planBench(['ingest', '6', 'bulk']).suites).toEqual(['delivery', 'ingest', 'bulk']);
    expect(planBench(['bulk']).suites).toEqual(['bulk']);
  });

  it('refuses a name it does not know, naming it', () => {
    expect(() => planBench(['ingets'])).toThrow(/unknown benchmark ingets/);
  });
});
