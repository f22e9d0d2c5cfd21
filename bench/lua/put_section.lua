-- PUT of a whole phase section with the ETag from the previous answer: each wrk thread has
-- one connection and its own municipality, so its requests follow each other and every PUT
-- carries a fresh If-Match.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

local numbers = {}
for number in string.gmatch(os.getenv("BENCH_NUMBERS"), "[^,]+") do table.insert(numbers, number) end
local next_thread = 1

setup = function(thread)
  register_thread(thread)
  thread:set("number", numbers[next_thread])
  next_thread = next_thread + 1
end

local body_template

local etag
local counter = 0

init = function(args)
  local file = io.open(os.getenv("BENCH_BODY_FILE"), "r")
  body_template = file:read("*a")
  file:close()
  etag = os.getenv("BENCH_ETAG_" .. number)  -- `number` was set by setup()
end

request = function()
  counter = counter + 1
  local body = string.gsub(body_template, "__COUNTER__", tostring(counter))
  -- wrk.format uses the headers it is given instead of wrk.headers, so merge them.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["If-Match"] = etag
  headers["Content-Type"] = "application/json"
  return wrk.format("PUT", "/api/v1/municipalities/" .. number .. "/pathway/phases/assessment",
    headers, body)
end

response = function(status, headers, body)
  count_status(status)
  local tag = headers["etag"] or headers["ETag"]
  if status == 200 and tag then etag = tag end
end
