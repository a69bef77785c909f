/**
 * Just enough XML writing for the query protocols. A response is described as plain data: object keys become
 * elements, arrays become a wrapper element of repeated list items (`item` for EC2, `member` for Auto Scaling),
 * undefined members are left out as AWS leaves out unset fields.
 */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | XmlObject;
export interface XmlObject {
  [element: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

export function renderXml(value: XmlValue, listItem: string): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => element(listItem, v, listItem)).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([name, v]) => (v === undefined ? '' : element(name, v, listItem)))
      .join('');
  }
  return escapeXml(String(value));
}

export function element(name: string, value: XmlValue, listItem: string): string {
  return `<${name}>${renderXml(value, listItem)}</${name}>`;
}
