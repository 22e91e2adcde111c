// Unit tests of .astro components: they render through Astro's own Vite config
// (`experimental_AstroContainer`). A project of vitest.config.ts.
import { getViteConfig } from 'astro/config';

export default getViteConfig({
  test: {
    name: 'astro',
    include: ['tests/unit/form-kit.test.ts'],
    testTimeout: 30_000,
  },
});
