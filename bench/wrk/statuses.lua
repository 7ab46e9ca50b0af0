-- Shared by the wrk scripts (loaded with dofile from the repository root): numbers the threads
-- (`tid`) and prints how many answers of each HTTP status every thread received.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
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
