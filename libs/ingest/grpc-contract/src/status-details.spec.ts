import { decodeBadRequestStatus, encodeBadRequestStatus } from './status-details';

describe('google.rpc.Status details', () => {
  it('round-trips the field violations of a BadRequest', () => {
    const violations = [
      { field: 'type', description: 'must be dot-separated letters, digits, _ or -' },
      { field: 'data_json.amount', description: 'must be number' },
    ];
    expect(decodeBadRequestStatus(encodeBadRequestStatus(3, 'invalid', violations))).toEqual(violations);
  });

  it('finds no violations in a status without a BadRequest', () => {
    const empty = encodeBadRequestStatus(3, 'invalid', []);
    expect(decodeBadRequestStatus(empty)).toEqual([]);
  });
});
