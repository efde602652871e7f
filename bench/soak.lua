-- soak.lua - the mixed load of bench/soak.sh for wrk: reads of pages and of
-- the JSON API, and writes (register a supervised item, then assign it).
--
-- Environment (set by soak.sh):
--   SOAK_COOKIE   "sid=..." of a signed-in 督查科 clerk (dck1)
--   SOAK_CSRF     that session's CSRF token (header X-CSRF-Token)
--   SOAK_PATHS    a file of read paths, one a line
--   SOAK_CREATE   percent of requests that register an item (default 5)
--   SOAK_ASSIGN   percent that assign (交办) an item this thread registered
--                 (default 5; a read when none is waiting)
--   SOAK_SLICE    the slice's number, so titles never repeat across slices
--
-- Per thread: a queue of the ids its creates got back (201, the body starts
-- with {"id":N); an assign takes the oldest.  The two writes are the ones a
-- clerk does most and touch the case tables, the clocks, the numbering, the
-- search index, the timeline and notifications.
-- creates counts the acknowledged ones (201), assigns the ones sent (wrk
-- does not pair a response with its request; a failed one is an error).
-- done() prints one line for soak.sh:
--   SOAK requests errors p50_ms p99_ms creates assigns status4xx status5xx
local cookie = os.getenv("SOAK_COOKIE")
local csrf = os.getenv("SOAK_CSRF")
local create_pct = tonumber(os.getenv("SOAK_CREATE") or "5")
local assign_pct = tonumber(os.getenv("SOAK_ASSIGN") or "5")
local slice = os.getenv("SOAK_SLICE") or "0"

-- words for titles, so the search index grows like real text
local words = { "交通", "教育", "医疗", "住房", "环保", "营商环境", "农村客运",
                "老旧小区", "防汛", "安全生产", "就业", "养老" }

local threads = {}
local nthreads = 0
function setup(thread)
    nthreads = nthreads + 1
    thread:set("tid", nthreads)
    threads[nthreads] = thread
end

local paths = {}
local pending = {}
local seq = 0
creates, assigns, s4xx, s5xx = 0, 0, 0, 0

function init(args)
    local f = assert(io.open(os.getenv("SOAK_PATHS"), "r"))
    for line in f:lines() do
        if line ~= "" then paths[#paths + 1] = line end
    end
    f:close()
    math.randomseed(os.time() * 100 + tid * 7 + tonumber(slice))
end

local function headers(json)
    local h = { ["Cookie"] = cookie }
    if json then
        h["Content-Type"] = "application/json"
        h["X-CSRF-Token"] = csrf
    end
    return h
end

local function create()
    seq = seq + 1
    local title = string.format("压力测试事项 %s %s-%d-%d",
        words[math.random(#words)], slice, tid, seq)
    local body = '{"module":"supervision","fields":{"title":"' .. title ..
        '","source":"instruction","requirement":"限期办结并报送结果"}}'
    return wrk.format("POST", "/api/v1/cases", headers(true), body)
end

local function assign(id)
    local body = '{"fields":{"lead_unit":"jtj","limit_class":"normal"}}'
    return wrk.format("POST", "/api/v1/cases/" .. id .. "/transitions/assign",
        headers(true), body)
end

function request()
    local r = math.random(100)
    if r <= create_pct then
        return create()
    end
    if r <= create_pct + assign_pct and #pending > 0 then
        assigns = assigns + 1
        return assign(table.remove(pending, 1))
    end
    return wrk.format("GET", paths[math.random(#paths)], headers(false))
end

function response(status, hdrs, body)
    if status == 201 then
        creates = creates + 1
        local id = body:match('^{"id":(%d+)')
        if id then pending[#pending + 1] = id end
    elseif status >= 500 then
        s5xx = s5xx + 1
    elseif status >= 400 then
        s4xx = s4xx + 1
    end
end

function done(summary, latency, requests)
    local c, a, e4, e5 = 0, 0, 0, 0
    for _, t in ipairs(threads) do
        c = c + t:get("creates")
        a = a + t:get("assigns")
        e4 = e4 + t:get("s4xx")
        e5 = e5 + t:get("s5xx")
    end
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.status + e.timeout
    io.write(string.format("SOAK %d %d %.2f %.2f %d %d %d %d\n",
        summary.requests, errors, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, c, a, e4, e5))
end
