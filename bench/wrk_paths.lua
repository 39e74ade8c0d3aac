-- wrk script for bench/http_bench.py: GET the paths listed in a file, in turn.
--
--   wrk -t2 -c20 -d10s -s bench/wrk_paths.lua https://127.0.0.1:8443 -- PATHS_FILE
--
-- PATHS_FILE has one "PATH<TAB>ETAG" a line; with an ETag the request carries If-None-Match.
-- A second argument "gzip" adds Accept-Encoding: gzip to every request, as browsers send it.
-- Each thread starts at its own place in the list. Every response's status is counted, and at the
-- end one line "WRK_JSON {...}" gives throughput, latency percentiles, socket errors and statuses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  requests = {}
  for line in io.lines(args[1]) do
    local path, etag = line:match("^([^\t]+)\t?(.*)$")
    local headers = {}
    if args[2] == "gzip" then
      headers["Accept-Encoding"] = "gzip"
    end
    if etag ~= "" then
      headers["If-None-Match"] = etag
    end
    table.insert(requests, wrk.format("GET", path, headers))
  end
  position = (number * 7) % #requests
  statuses = {}
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.timeout, table.concat(parts, ", ")
  ))
end
