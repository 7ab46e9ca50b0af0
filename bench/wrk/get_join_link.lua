-- Each request: GET /j/<token> for the next of the published tokens read from the file given after --.
dofile("bench/wrk/statuses.lua")
local tokens = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  i = tid * 7
end
function request()
  i = i + 1
  return wrk.format("GET", "/j/" .. tokens[(i % #tokens) + 1])
end
