-- wrk's done() hook for bench/load.py: the figures wrk's own report lacks (p95) or rounds,
-- one "name value" line each after a marker line. Times are in microseconds.
done = function(summary, latency, requests)
  io.write("--- pageshare wrk report ---\n")
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_us %d\n", summary.duration))
  io.write(string.format("errors_status %d\n", summary.errors.status))
  io.write(string.format("errors_connect %d\n", summary.errors.connect))
  io.write(string.format("errors_read %d\n", summary.errors.read))
  io.write(string.format("errors_write %d\n", summary.errors.write))
  io.write(string.format("errors_timeout %d\n", summary.errors.timeout))
  for _, p in ipairs({ 50, 90, 95, 99 }) do
    io.write(string.format("p%d_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("max_us %d\n", latency.max))
end
