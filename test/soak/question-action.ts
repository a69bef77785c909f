/**
 * The action an approval message asks about, live ("Approval needed: …", after any mentions) or decided (the
 * bot rewrites it: "👍 Approved by <@U> (<!date…>): … — will run …"); undefined for any other message.
 */
export function questionAction(text: string): string | undefined {
  const m =
    /^(?:(?:<[^>]+> )*Approval needed|(?:👍|✋) (?:Approved|Rejected|“[^”]*”(?: \(stop\))? chosen) by <@\w+> \(<!date[^>]*>\)|✋ Rejected: no decision before the deadline \(<!date[^>]*>\)): ([\s\S]*?)(?: — (?:will run|will not run|the step runs|the job stops|the job goes on)[\s\S]*)?$/.exec(
      text,
    );
  return m?.[1];
}
