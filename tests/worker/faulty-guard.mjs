// Entry module for tests that need the replay guard to fail part-way. It
// re-exports the built worker and adds FaultyReplayGuard, which wraps the
// built ReplayGuard and injects the faults that the REPLAY_GUARD_FAULT
// binding lists, separated by commas:
//
// - "set_alarm": the instance's first storage.setAlarm call rejects, as a
//   storage outage or an invalid alarm date would make it.
// - "claim_response_lost": the instance's first claim runs to completion,
//   but its response is replaced by an error, as when the connection to the
//   Durable Object breaks after the claim was stored.
// - "release_lost": every release gets 204 without reaching the guard, as
//   when the worker is cancelled before it releases.

import { ReplayGuard } from "../../worker/build/index.js";

export { default } from "../../worker/build/index.js";

/** Ids of the instances whose one failure has happened. */
const faulted = new Set();

/** Returns true once per instance: the first time it is asked. */
function takeFault(state) {
  const id = state.id.toString();
  if (faulted.has(id)) return false;
  faulted.add(id);
  return true;
}

/** Wraps `state` so that the first setAlarm call of the instance rejects. */
function withFailingSetAlarm(state) {
  const storage = new Proxy(state.storage, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "setAlarm") {
        return async (...args) => {
          if (takeFault(state)) throw new Error("injected fault: setAlarm failed");
          return value.apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(state, {
    get(target, property) {
      if (property === "storage") return storage;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export class FaultyReplayGuard {
  constructor(state, env) {
    this.state = state;
    this.faults = new Set((env.REPLAY_GUARD_FAULT ?? "").split(","));
    const guardState = this.faults.has("set_alarm") ? withFailingSetAlarm(state) : state;
    this.guard = new ReplayGuard(guardState, env);
  }

  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (this.faults.has("release_lost") && pathname.startsWith("/release/")) {
      return new Response(null, { status: 204 });
    }
    const response = await this.guard.fetch(request);
    const isClaim = pathname.startsWith("/claim/");
    if (this.faults.has("claim_response_lost") && isClaim && takeFault(this.state)) {
      throw new Error("injected fault: the claim's response was lost");
    }
    return response;
  }

  alarm() {
    return this.guard.alarm();
  }
}
