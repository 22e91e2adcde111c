// What the fault tests share: a seeded PRNG and a cookie-keeping HTTP client.
import { hasSecondStep, withFreshCode } from './fixtures.ts';

/** A small seeded PRNG (mulberry32): a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A client of the portal with its own cookies, posting forms the way a browser does. */
export class Browser {
  cookies = new Map<string, string>();
  base: string;
  constructor(base: string) {
    this.base = base;
  }
  /** Posts a form as a browser does (same-origin, its cookies); the body is read and dropped. */
  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await this.send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    await res.arrayBuffer();
    return res;
  }

  /** Any request with this browser's cookies and origin; the caller reads the body. */
  async send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      redirect: 'manual',
      ...init,
      headers: {
        Origin: this.base,
        Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...init.headers,
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }

  /** Signs in through the form with the demo password; staff then give a fresh code (decision 015). */
  async signIn(email: string): Promise<this> {
    const res = await this.post('/connexion', { email, password: 'demo-password-2026' });
    if (res.status !== 303) throw new Error(`sign-in of ${email}: ${res.status}`);
    if (hasSecondStep(email))
      await withFreshCode(this.base, email, async (otp) => {
        return (await this.post('/connexion/verification', { otp })).status === 303;
      });
    return this;
  }
}
