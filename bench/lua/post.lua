-- POST bookings, each from a distinct mobile number: <prefix><thread id><8-digit counter>,
-- so 1[3-9] followed by 9 digits. Every `slot_every`-th request takes the next open slot from
-- this thread's share of the list (threads never share a slot); the others ask for a call back.
dofile("bench/lua/common.lua")

local BODY = '{"name":"压测客户","phone":"%s","product":"consumer-credit","slot":%s,' ..
             '"callback":%s,"note":"","consent":true,"consent_version":"%s","channel":""}'
local HEADERS = {["Content-Type"] = "application/json"}

function init(args)
  local d = dofile(args[1])
  paths, prefix, every, consent, threads = d.paths, d.prefix, d.slot_every, d.consent, d.threads
  mine = {}
  for i, s in ipairs(d.slots) do
    if (i - 1) % threads == tid then mine[#mine + 1] = s end
  end
  n, used = 0, 0
end

function request()
  n = n + 1
  local phone = string.format("%s%d%08d", prefix, tid, n)
  local path, slot, callback
  if every > 0 and n % every == 0 and used < #mine then
    used = used + 1
    path, slot, callback = mine[used][1], '"' .. mine[used][2] .. '"', "false"
  else
    path, slot, callback = paths[(n * threads + tid) % #paths + 1], "null", "true"
  end
  return wrk.format("POST", path, HEADERS, string.format(BODY, phone, slot, callback, consent))
end
