import { Injectable } from '@nestjs/common';

/**
 * The worker's notion of now for endpoint health windows (breaker, auto-disable). A test moves it
 * forward to simulate days of failures; everything else uses real time.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Tests only. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
