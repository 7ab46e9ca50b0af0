-- Each request: a new participant (unique email, phone) so no duplicate is refused.
-- Arguments after --: the agency's bearer token (may be empty), an offset for the numbering.
dofile("bench/wrk/statuses.lua")
local counter = 0
function init(args)
  token = args[1]
  -- A second argument shifts the numbering, so runs against one database register different people.
  offset = tonumber(args[2] or "0") or 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if token then wrk.headers["Authorization"] = "Bearer " .. token end
end
function request()
  counter = counter + 1
  local n = offset + tid * 10000000 + counter
  local mode = (n % 3 == 0) and "online" or "in_person"
  local body = string.format('{"full_name":"Peserta Rakor %d","email":"peserta%d@humas.go.id","phone":"0813%08d","position":"Pranata Humas Ahli Pertama","attendance_mode":"%s"}', n, n, n % 100000000, mode)
  return wrk.format(nil, nil, nil, body)
end
