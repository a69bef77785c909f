import { element, escapeXml, renderXml, type XmlObject } from './xml';

/**
 * The request side of EC2's `ec2` and Auto Scaling's `awsQuery` protocols: a form-encoded body of flattened
 * keys. Lists are `Name.1`, `Name.2` (EC2) or `Name.member.1` (awsQuery); structures in lists continue with
 * `.Field`. One reader serves both because the only difference is the optional `member` segment.
 */
export class QueryParams {
  private constructor(private readonly fields: Map<string, string>) {}

  static parse(body: string): QueryParams {
    return new QueryParams(new Map(new URLSearchParams(body)));
  }

  str(name: string): string | undefined {
    return this.fields.get(name);
  }

  bool(name: string): boolean | undefined {
    const v = this.fields.get(name);
    return v === undefined ? undefined : v === 'true';
  }

  int(name: string): number | undefined {
    const v = this.fields.get(name);
    return v === undefined ? undefined : Number.parseInt(v, 10);
  }

  list(name: string): string[] {
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.(?:member\\.)?(\\d+)$`);
    return this.indexed(pattern).map(([, v]) => v);
  }

  structs(name: string): QueryParams[] {
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.(?:member\\.)?(\\d+)\\.(.+)$`);
    const byIndex = new Map<number, Map<string, string>>();
    for (const [key, value] of this.fields) {
      const m = pattern.exec(key);
      if (!m) continue;
      const index = Number(m[1]);
      if (!byIndex.has(index)) byIndex.set(index, new Map());
      byIndex.get(index)!.set(m[2], value);
    }
    return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, f]) => new QueryParams(f));
  }

  private indexed(pattern: RegExp): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const [key, value] of this.fields) {
      const m = pattern.exec(key);
      if (m) out.push([Number(m[1]), value]);
    }
    return out.sort(([a], [b]) => a - b);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const EC2_API_VERSION = '2016-11-15';
export const AUTOSCALING_API_VERSION = '2011-01-01';
const EC2_NS = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
const AUTOSCALING_NS = `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_API_VERSION}/`;

/** EC2 puts the result members directly under `<ActionResponse>`, after a lower-case `requestId`. */
export function ec2Response(action: string, requestId: string, result: XmlObject): string {
  const body = element('requestId', requestId, 'item') + renderXml(result, 'item');
  return `${XML_DECL}<${action}Response xmlns="${EC2_NS}">${body}</${action}Response>`;
}

/** EC2's error envelope has no namespace and spells the id `RequestID`. */
export function ec2Error(code: string, message: string, requestId: string): string {
  return (
    `${XML_DECL}<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `</Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

/** awsQuery nests the result in `<ActionResult>`; actions without output have no Result element at all. */
export function queryResponse(action: string, requestId: string, result: XmlObject | undefined): string {
  const resultXml = result === undefined ? '' : element(`${action}Result`, result, 'member');
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `${XML_DECL}<${action}Response xmlns="${AUTOSCALING_NS}">${resultXml}${metadata}</${action}Response>`;
}

export function queryError(status: number, code: string, message: string, requestId: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `${XML_DECL}<ErrorResponse xmlns="${AUTOSCALING_NS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
