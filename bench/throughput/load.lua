-- wrk script for bench/throughput/run.sh. Environment: COOKIE (the session; empty: signed out),
-- ACCEPT, and for a write BODY, a form in which {id} becomes a task id picked at random from
-- ID_MIN to ID_MAX and {status} a column picked at random.
-- Prints one JSON line of figures when the run ends (latencies in microseconds).
local cookie = os.getenv("COOKIE")
local body = os.getenv("BODY")
if body == "" then
  body = nil
end
local id_min = tonumber(os.getenv("ID_MIN") or "0")
local id_max = tonumber(os.getenv("ID_MAX") or "0")

if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = "taskdeck_session=" .. cookie
end
wrk.headers["Accept"] = os.getenv("ACCEPT") or "text/html"
if body then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

-- Each wrk thread has its own Lua state; seed each differently.
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))

local statuses = { "todo", "in_progress", "done" }

request = function()
  if not body then
    return wrk.format()
  end
  local form = body:gsub("{id}", tostring(math.random(id_min, id_max)))
    :gsub("{status}", statuses[math.random(1, #statuses)])
  return wrk.format(nil, nil, nil, form)
end

done = function(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"socket_errors":%d,"http_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
