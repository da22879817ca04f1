-- GET a list of paths in turn (from the data file named after "--"); -H headers ride along.
dofile("bench/lua/common.lua")

function init(args)
  paths = dofile(args[1]).paths
  n = tid * 7
end

function request()
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1])
end
