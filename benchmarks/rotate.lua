-- wrk script for benchmarks/availability.py: each request asks for a random sku of the store,
-- PATH .. a six-digit number below COUNT (wrk URL -- PATH COUNT), so answers kept in memory rarely match.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  path, count = args[1], tonumber(args[2])
  math.randomseed(os.time() * 100 + id)
end

function request()
  return wrk.format("GET", path .. string.format("%06d", math.random(0, count - 1)))
end
