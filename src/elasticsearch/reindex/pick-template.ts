/** Composable-template resolution as Elasticsearch does it: the highest-priority template whose pattern matches. */
export function pickTemplate(
  index: string,
  templates: { name: string; index_template: { index_patterns: string | string[]; priority?: number } }[],
): string | undefined {
  let best: { name: string; priority: number } | undefined;
  for (const t of templates) {
    const patterns = ([] as string[]).concat(t.index_template.index_patterns);
    if (!patterns.some((p) => globMatch(p, index))) continue;
    const priority = t.index_template.priority ?? 0;
    if (!best || priority > best.priority) best = { name: t.name, priority };
  }
  return best?.name;
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}
