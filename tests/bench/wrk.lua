-- wrk script of the benchmark: cycle through a scenario's requests and count
-- the answers whose status is not the one the scenario expects.
--
--   wrk ... -s wrk.lua URL -- PLAN_FILE EXPECTED_STATUS
--
-- PLAN_FILE holds one request a line: method, path, Authorization header and
-- JSON body, separated by tabs (the last two may be empty). At the end one
-- line "BENCH-RESULT {json}" reports the counts and latency percentiles.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   expected = tonumber(args[2])
   unexpected = 0
   plan = {}
   for line in io.lines(args[1]) do
      local method, path, authorization, body =
         line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if authorization ~= "" then
         headers["Authorization"] = authorization
      end
      if body == "" then
         body = nil
      else
         headers["Content-Type"] = "application/json"
      end
      table.insert(plan, wrk.format(method, path, headers, body))
   end
   -- Threads start at different requests so that they do not move in step.
   position = (id * 7919) % #plan
end

function request()
   position = position % #plan + 1
   return plan[position]
end

function response(status, headers, body)
   if status ~= expected then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local wrong_status = 0
   for _, thread in ipairs(threads) do
      wrong_status = wrong_status + thread:get("unexpected")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH-RESULT {"requests": %d, "duration_us": %d, "wrong_status": %d, '
         .. '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
         .. '"max_us": %d}\n',
      summary.requests, summary.duration, wrong_status,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max))
end
