/**
 * The field notes' "Spike in 5xxs" rule with its placeholders filled for tests (threshold_cur 5, 15 minutes) and
 * its alert_text fixed: the notes' `{4}` has no argument, and the real Elastalert raises on it.
 */
export const fieldNotesSpikeRule = {
  name: 'Spike in 5xxs',
  type: 'spike',
  index: 'logstash-*',
  timeframe: { minutes: 15 },
  spike_height: 2,
  spike_type: 'up',
  threshold_cur: 5,
  filter: [{ query: { query_string: { query: 'Status: [500 TO 599]' } } }],
  alert_text_type: 'alert_text_only',
  alert_text: '5xxs spiked {1}x. Was {2} in the last window, compared to {3} before',
  alert_text_args: ['name', 'spike_height', 'spike_count', 'reference_count'],
};
