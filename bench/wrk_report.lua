-- wrk script for the Rowscan benchmarks: POST a JSON body read from a file, report as one JSON line.
--
--   wrk -t1 -c64 -d10s --latency --timeout 30s -s bench/wrk_report.lua URL -- BODY_FILE
--
-- No request()/response() hooks: wrk then sends one pre-built request and never calls into Lua per
-- request, so the client stays far cheaper than the server it measures.
-- Errors: wrk counts HTTP statuses > 399 as `status` errors; connect/read/write/timeout are socket errors.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   local file = assert(io.open(args[1], "rb"), "cannot open the body file " .. tostring(args[1]))
   wrk.body = file:read("*a")
   file:close()
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      '{"requests": %d, "duration_s": %.6f, "rps": %.3f, "bytes": %d, ' ..
      '"p50_ms": %.4f, "p90_ms": %.4f, "p99_ms": %.4f, "max_ms": %.4f, "mean_ms": %.4f, ' ..
      '"non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
      summary.requests, seconds, summary.requests / seconds, summary.bytes,
      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
      latency.max / 1e3, latency.mean / 1e3,
      e.status, e.connect, e.read, e.write, e.timeout))
end
