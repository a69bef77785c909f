"""
The real Elastalert daemon (Debian's 0.2.4) with the sandbox's clock in place of the wall clock.

The daemon proper (`elastalert --config ...`) cannot run the sandbox: its scheduler sleeps in real time and asks
ts_now() for the end of every query, while the sandbox's cluster writes its access logs on a clock that runs 30x
faster. So this script builds the daemon's own ElastAlerter from a config file and a rules folder and, for each
line the sandbox writes on stdin (the sandbox clock's time, ISO 8601), runs what the scheduler would have run at
that time: handle_rule_execution(rule) for every rule. Everything below that call is Elastalert's own code:
start and end times (buffer_time, previous_endtime), the queries, the rule types' state kept across runs,
realert silences, and the alerters (the `post` alerter POSTs each match to the bot's webhook).

Two things are replaced, and only these:
- ts_now() answers the sandbox clock (elastalert.elastalert imported it by name, so it is patched there);
- the writeback index, mocked as elastalert-test-rule mocks it (the simulator keeps no Elastalert state). What
  the daemon would have written is reported instead: after each run, one line on stdout,
  `@@elk-ops {"now": ..., "writeback": [[doc_type, body], ...]}`.

Only with ELK_OPS_DEPRECATED_SEARCH_SHIM=1 (tests that need it say so), a third: Debian pairs Elastalert 0.2.4
with python3-elasticsearch 7.17, whose query_params decorator passes `headers=` to every client method, and
Elastalert's own ElasticSearchClient.deprecated_search takes no such argument: every terms query (and
aggregation query) raises TypeError there. The shim drops that one argument and nothing else (the decorator
still turns size / ignore_unavailable into query parameters as the client does), so Elastalert's own terms code
(get_hits_terms, num_hits, add_terms_data) can be compared at all.
"""
import os
import json
import sys
from unittest import mock

import elastalert.elastalert as daemon
from elastalert.util import ts_to_dt

REPORT = '@@elk-ops '

if os.environ.get('ELK_OPS_DEPRECATED_SEARCH_SHIM') == '1':
    from elastalert import ElasticSearchClient
    decorated = ElasticSearchClient.deprecated_search
    inner = decorated.__wrapped__

    def without_headers(*args, headers=None, **kwargs):
        return inner(*args, **kwargs)

    for cell in decorated.__closure__:
        if cell.cell_contents is inner:
            cell.cell_contents = without_headers
clock = {'now': None}
daemon.ts_now = lambda: clock['now']

ea = daemon.ElastAlerter(['--config', sys.argv[1], '--verbose'])
ea.writeback_es = mock.MagicMock()
ea.writeback_es.search.return_value = {'hits': {'hits': []}}
written = []


def writeback(doc_type, body, rule=None, match_body=None):
    written.append([doc_type, body])


ea.writeback = writeback
print(REPORT + json.dumps({'ready': [rule['name'] for rule in ea.rules]}), flush=True)

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    clock['now'] = ts_to_dt(line)
    for rule in list(ea.rules):
        ea.handle_rule_execution(rule)
    print(REPORT + json.dumps({'now': line, 'writeback': written}, default=str), flush=True)
    written.clear()
