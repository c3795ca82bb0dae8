import { isEventTypeFilter, matchesEventType } from './event-type-filter';

describe('matchesEventType', () => {
  it('matches every type when there are no filters', () => {
    expect(matchesEventType([], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['*'], 'anything')).toBe(true);
  });

  it('matches exact names only exactly', () => {
    expect(matchesEventType(['invoice.paid'], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['invoice.paid'], 'invoice.paid.late')).toBe(false);
    expect(matchesEventType(['invoice.paid'], 'invoice.pai')).toBe(false);
    expect(matchesEventType(['invoice.paid'], 'Invoice.paid')).toBe(false);
  });

  it('matches a prefix wildcard at any depth below the prefix, but not the prefix itself', () => {
    expect(matchesEventType(['invoice.*'], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['invoice.*'], 'invoice.line.added')).toBe(true);
    expect(matchesEventType(['invoice.*'], 'invoice')).toBe(false);
    expect(matchesEventType(['invoice.*'], 'invoices.paid')).toBe(false);
    expect(matchesEventType(['billing.invoice.*'], 'billing.invoice.paid')).toBe(true);
    expect(matchesEventType(['billing.invoice.*'], 'billing.charge.paid')).toBe(false);
  });

  it('matches when any filter matches', () => {
    expect(matchesEventType(['user.created', 'invoice.*'], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['user.created', 'invoice.*'], 'user.deleted')).toBe(false);
  });
});

describe('isEventTypeFilter', () => {
  it.each(['invoice.paid', 'invoice', 'a_b-c.D9', 'invoice.*', 'billing.invoice.*', '*'])('accepts %s', (filter) => {
    expect(isEventTypeFilter(filter)).toBe(true);
  });

  it.each(['', '.', 'invoice.', '.paid', 'invoice..paid', 'invoice.*.paid', 'inv*', '*.paid', 'invoice paid', 'invoice.**', 'fa/ct', 'x'.repeat(201)])('refuses %j', (filter) => {
    expect(isEventTypeFilter(filter)).toBe(false);
  });
});
