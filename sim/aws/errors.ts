/** An error the simulated API answers with; the server renders it in the calling service's error envelope. */
export class AwsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** EC2 answers "does not exist" for every missing id at once, in one message. */
export function instanceNotFound(ids: string[]): AwsApiError {
  const message =
    ids.length === 1
      ? `The instance ID '${ids[0]}' does not exist`
      : `The instance IDs '${ids.join(', ')}' do not exist`;
  return new AwsApiError(400, 'InvalidInstanceID.NotFound', message);
}

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export function assertInstanceIdsWellFormed(ids: string[]): void {
  const bad = ids.find((id) => !INSTANCE_ID.test(id));
  if (bad !== undefined) throw new AwsApiError(400, 'InvalidInstanceID.Malformed', `Invalid id: "${bad}"`);
}

/** Auto Scaling reports bad input as ValidationError, always HTTP 400 with Type Sender. */
export function validationError(message: string): AwsApiError {
  return new AwsApiError(400, 'ValidationError', message);
}
