-- Each request: GET /j/<token> for the next of the published tokens read from the file given after --.
local tokens = {}
local i = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  i = tid * 7
end
function request()
  i = i + 1
  return wrk.format("GET", "/j/" .. tokens[(i % #tokens) + 1])
end
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do io.write(string.format("status %d: %d\n", k, v)) end
  end
end
