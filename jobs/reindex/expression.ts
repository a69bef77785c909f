/**
 * Rejects, before anything is queued, expressions that name system indices or could reach them: dot-names,
 * `_all`, and patterns that start with a wildcard (`*`, `*-2024`), which Elasticsearch may expand to
 * dot-prefixed indices. Exclusions (`-logs-x`) after a first inclusion are accepted as Elasticsearch reads them.
 */
export function checkExpression(expression: string): string | undefined {
  const parts = expression.split(',');
  if (parts.some((p) => p.trim() === '')) return `\`${expression}\` has an empty part; write names separated by commas without spaces`;
  for (const [i, raw] of parts.entries()) {
    const exclusion = i > 0 && raw.startsWith('-');
    const part = exclusion ? raw.slice(1) : raw;
    if (part === '_all' || part === '*' || part.startsWith('.') || (!exclusion && /^[*?]/.test(part))) {
      return `\`${raw}\` could match system indices; start each pattern with the index name prefix, e.g. \`logs-2024.*\``;
    }
    if (!exclusion && part.startsWith('-')) return `\`${raw}\`: an index name cannot start with \`-\``;
    if (/[A-Z\\/"<>|#\s:]/.test(part) || part.startsWith('_') || part.startsWith('+')) {
      return `\`${raw}\` is not a valid index name or pattern (lower-case, no \\ / " < > | # : or spaces)`;
    }
  }
  return undefined;
}

/** A suffix must make a plain index name out of any source name. */
export function checkSuffix(suffix: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(suffix.replace(/^[-_.]/, 'x'))) {
    return `suffix \`${suffix}\` must be lower-case letters, digits, \`-\`, \`_\` or \`.\`, e.g. \`-r\``;
  }
  return undefined;
}
