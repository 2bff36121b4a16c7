/**
 * Auto-lock decision, pure so the caller (background alarm) schedules and tests need no timers.
 * `autoLockMinutes` 0 means never. A clock that went backwards (now < lastActivity) locks: we
 * cannot tell how long the device was idle, so fail closed.
 */
export function shouldAutoLock(lastActivity: number, now: number, autoLockMinutes: number): boolean {
  if (autoLockMinutes <= 0) return false;
  if (now < lastActivity) return true;
  return now - lastActivity >= autoLockMinutes * 60_000;
}

/** When the caller should next check (ms since epoch), or null when auto-lock is off. */
export function nextAutoLockCheck(lastActivity: number, autoLockMinutes: number): number | null {
  return autoLockMinutes > 0 ? lastActivity + autoLockMinutes * 60_000 : null;
}
