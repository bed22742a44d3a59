// A per-second counter in Redis that grants up to a limit per second, shared by every process that uses the same key.
import type { RedisClient } from './redis-client';

const TAKE = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], 2000) end
local limit = tonumber(ARGV[2])
if used <= limit then return tonumber(ARGV[1]) end
local over = used - limit
local granted = tonumber(ARGV[1]) - over
if granted < 0 then granted = 0 end
redis.call('DECRBY', KEYS[1], tonumber(ARGV[1]) - granted)
return granted`;

/** Takes up to `want` from this second's budget of `limit` under `keyBase:<second>`; returns how many were granted (0 when spent). */
export async function takeThisSecond(
  client: RedisClient,
  keyBase: string,
  want: number,
  limit: number,
): Promise<number> {
  const second = Math.floor(Date.now() / 1000);
  return Number(await client.eval(TAKE, 1, `${keyBase}:${second}`, want, limit));
}

/** Milliseconds until the next second starts (plus a little, so the new second's key is the one we hit). */
export function msToNextSecond(now = Date.now()): number {
  return 1000 - (now % 1000) + 5;
}
