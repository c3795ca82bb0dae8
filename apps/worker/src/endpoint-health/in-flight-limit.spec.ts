import { endpointInFlightCap } from './in-flight-limit';

describe('endpointInFlightCap', () => {
  it('is ENDPOINT_MAX_IN_FLIGHT while that is at most half of the worker’s slots', () => {
    expect(endpointInFlightCap({ ENDPOINT_MAX_IN_FLIGHT: 50, WORKER_CONCURRENCY: 200 })).toBe(50);
    expect(endpointInFlightCap({ ENDPOINT_MAX_IN_FLIGHT: 100, WORKER_CONCURRENCY: 200 })).toBe(100);
  });

  it('never lets one endpoint hold more than half of the worker’s slots', () => {
    expect(endpointInFlightCap({ ENDPOINT_MAX_IN_FLIGHT: 200, WORKER_CONCURRENCY: 200 })).toBe(100);
    expect(endpointInFlightCap({ ENDPOINT_MAX_IN_FLIGHT: 50, WORKER_CONCURRENCY: 10 })).toBe(5);
    expect(endpointInFlightCap({ ENDPOINT_MAX_IN_FLIGHT: 50, WORKER_CONCURRENCY: 1 })).toBe(1);
  });
});
