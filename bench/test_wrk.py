"""bench/wrk.py's reading of wrk's output (not in the suite's testpaths: `.venv/bin/pytest bench/test_wrk.py`)."""

import pytest
from wrk import parse_wrk_output

# wrk 4.1.0 (Debian) with --latency and -s bench/wrk_report.lua, against a URL answering 404.
OUTPUT = """\
Running 1s test @ http://127.0.0.1:18765/missing
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   809.71us  282.08us   4.67ms   95.33%
    Req/Sec     2.29k   215.40     2.45k    90.91%
  Latency Distribution
     50%  781.00us
     75%  847.00us
     90%    0.99ms
     99%    2.30ms
  2505 requests in 1.10s, 0.86MB read
  Non-2xx or 3xx responses: 2505
Requests/sec:   2278.16
Transfer/sec:    796.62KB
--- pageshare wrk report ---
requests 2505
duration_us 1099571
errors_status 2505
errors_connect 0
errors_read 0
errors_write 0
errors_timeout 0
p50_us 781
p90_us 986
p95_us 1072
p99_us 2303
max_us 4674
"""


def test_reads_throughput_percentiles_and_non_2xx():
    result = parse_wrk_output(OUTPUT)
    assert result.requests == 2505
    assert result.requests_per_second == pytest.approx(2278.16, abs=0.01)
    assert (result.p50_ms, result.p95_ms, result.p99_ms, result.max_ms) == (0.781, 1.072, 2.303, 4.674)
    assert result.non_2xx == 2505
    assert result.socket_errors == 0


def test_counts_socket_errors_and_timeouts():
    output = OUTPUT.replace(
        "  Non-2xx or 3xx responses: 2505\n", "  Socket errors: connect 0, read 1, write 0, timeout 3\n"
    )
    output = output.replace("errors_status 2505", "errors_status 0").replace("errors_read 0", "errors_read 1")
    result = parse_wrk_output(output.replace("errors_timeout 0", "errors_timeout 3"))
    assert (result.non_2xx, result.socket_errors, result.timeouts) == (0, 4, 3)


def test_refuses_output_without_the_script_report():
    with pytest.raises(ValueError, match="pageshare wrk report"):
        parse_wrk_output(OUTPUT.split("--- pageshare")[0])


def test_refuses_disagreeing_non_2xx_counts():
    with pytest.raises(ValueError, match="non-2xx"):
        parse_wrk_output(OUTPUT.replace("errors_status 2505", "errors_status 7"))
