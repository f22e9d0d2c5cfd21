-- Shared by every scenario: headers from the environment, and a machine-readable summary.
local function header_from_env(name, variable)
  local value = os.getenv(variable)
  if value and value ~= "" then wrk.headers[name] = value end
end

header_from_env("Authorization", "BENCH_AUTHORIZATION")
header_from_env("Cookie", "BENCH_COOKIE")
header_from_env("If-None-Match", "BENCH_IF_NONE_MATCH")
header_from_env("Accept-Encoding", "BENCH_ACCEPT_ENCODING")

statuses = {}
local threads = {}

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function register_thread(thread)
  table.insert(threads, thread)
end

setup = register_thread

local function status_counts()
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts or {}) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d": %d', status, n)) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

response = function(status, headers, body)
  count_status(status)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "statuses": %s}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max, status_counts()))
end
