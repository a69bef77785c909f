/** A job id as it can appear in an alias name: lower-case, no characters Elasticsearch refuses in names. */
export function ownerToken(jobId: string): string {
  return jobId.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}
