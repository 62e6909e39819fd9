-- wrk script for the deploy tests: a signed-in person reading a board (GET /projects/ID, which
-- reads the database) and, one request in WRITE_EVERY, adding a task to it (POST
-- /api/create_task). Counts every status per thread and prints one JSON line at the end:
--   {"requests":N,"statuses":{"200":N,...},"bad":N,"errors":{"connect":N,...}}
-- bad = responses that are not 2xx/3xx. Environment: LOAD_COOKIE (the session cookie's value),
-- LOAD_PROJECT (the project id), WRITE_EVERY (default 10; 0 = reads only), LOAD_REPORT (a file
-- to write the JSON line to, as well as stdout).
local cookie = os.getenv("LOAD_COOKIE") or error("LOAD_COOKIE is not set")
local project = os.getenv("LOAD_PROJECT") or error("LOAD_PROJECT is not set")
local write_every = tonumber(os.getenv("WRITE_EVERY") or "10")

local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  n = 0
  board = wrk.format("GET", "/projects/" .. project, { ["Cookie"] = "taskdeck_session=" .. cookie })
end

function request()
  n = n + 1
  if write_every > 0 and n % write_every == 0 then
    local body = "project_id=" .. project .. "&title=load+" .. id .. "-" .. n
    return wrk.format("POST", "/api/create_task", {
      ["Cookie"] = "taskdeck_session=" .. cookie,
      ["Accept"] = "application/json",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
  end
  return board
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for k, v in pairs(s) do
      total[k] = (total[k] or 0) + v
    end
  end
  local parts, bad = {}, 0
  for k, v in pairs(total) do
    table.insert(parts, string.format('"%s":%d', k, v))
    local code = tonumber(k)
    if code < 200 or code >= 400 then
      bad = bad + v
    end
  end
  local e = summary.errors
  local line = string.format(
    '{"requests":%d,"statuses":{%s},"bad":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"p99_ms":%.1f,"duration_s":%.1f}',
    summary.requests, table.concat(parts, ","), bad, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(99) / 1000, summary.duration / 1e6)
  print(line)
  local path = os.getenv("LOAD_REPORT")
  if path then
    local f = io.open(path, "w")
    f:write(line, "\n")
    f:close()
  end
end
