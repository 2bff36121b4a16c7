import { describe, expect, it } from 'vitest';
import { Keyring } from '../../../lib/keyring/index.ts';
import { expectOk, FAST_KDF, memoryEnv, USER } from './helpers.ts';

/** A keyring that records every lock-state change it reports. */
async function observed(env: ReturnType<typeof memoryEnv>) {
  const events: string[] = [];
  const r = await Keyring.open({ local: env.local, session: env.session, now: env.clock.now, kdfParams: FAST_KDF, onStateChange: (s) => events.push(s) });
  if (!r.ok) throw new Error(r.error.code);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { kr: r.value, events, settle };
}

describe('keyring state changes are reported through one hook', () => {
  it('reports unlock, lock, and an auto-lock found due on any call, once each', async () => {
    const env = memoryEnv();
    const { kr, events, settle } = await observed(env);
    expectOk(await kr.initialize('pw'));
    await settle();
    expect(events).toEqual(['unlocked']);
    expectOk(await kr.lock());
    expectOk(await kr.lock());
    await settle();
    expect(events).toEqual(['unlocked', 'locked']);
    expectOk(await kr.unlock('pw'));
    expectOk(await kr.unlock('pw'));
    await settle();
    expect(events).toEqual(['unlocked', 'locked', 'unlocked']);
    expectOk(await kr.updateSettings({ autoLockMinutes: 1 }, USER));
    env.clock.advance(2 * 60_000);
    // Not the alarm: an ordinary call finds the auto-lock due.
    expect(await kr.getSettings()).toMatchObject({ ok: false, error: { code: 'locked' } });
    await settle();
    expect(events).toEqual(['unlocked', 'locked', 'unlocked', 'locked']);
  });

  it('a wrong passphrase reports nothing; a listener that throws does not break the keyring', async () => {
    const env = memoryEnv();
    const first = await observed(env);
    expectOk(await first.kr.initialize('pw'));
    expectOk(await first.kr.lock());
    expect(await first.kr.unlock('wrong')).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } });
    await first.settle();
    expect(first.events).toEqual(['unlocked', 'locked']);
    const r = await Keyring.open({
      local: env.local,
      session: env.session,
      kdfParams: FAST_KDF,
      onStateChange: () => {
        throw new Error('listener bug');
      },
    });
    if (!r.ok) throw new Error(r.error.code);
    expect(await r.value.unlock('wrong')).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } });
    expectOk(await r.value.unlock('pw'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.value.state).toBe('unlocked');
  });
});
