// The legal pages (both locales): /mentions-legales, /confidentialite, /accessibilite and
// /cookies. Their wording is in src/i18n (legal.*); what they state about the operator comes
// from src/server/legal/identity.ts, and every figure from the rule it describes.
import { MAP_TILE_URL, PUBLIC_SITE_URL } from 'astro:env/server';
import { PROJECT_DRAFT_KEY } from '../../components/project/ProjectSteps.tsx';
import { db } from '../../server/db.ts';
import { conformityStatus } from '../../server/legal/accessibility.ts';
import { LEGAL_TEXTS_DATE, legalIdentity } from '../../server/legal/identity.ts';
import { legalTerritories, lifetimes, tileHost } from '../../server/legal/privacy.ts';
import { render } from '../../server/http/respond.ts';

export async function legalNoticePage() {
  return render({ identity: legalIdentity, territories: await legalTerritories(db), updated: LEGAL_TEXTS_DATE });
}

export async function privacyPage() {
  return render({
    identity: legalIdentity,
    territories: await legalTerritories(db),
    lifetimes: lifetimes(),
    tileHost: tileHost(MAP_TILE_URL),
    updated: LEGAL_TEXTS_DATE,
  });
}

export async function accessibilityPage() {
  return render({
    identity: legalIdentity,
    status: conformityStatus(legalIdentity.accessibilityAudit),
    site: PUBLIC_SITE_URL.replace(/\/$/, ''),
    territories: await legalTerritories(db),
    updated: LEGAL_TEXTS_DATE,
  });
}

export async function cookiesPage() {
  return render({
    lifetimes: lifetimes(),
    draftKey: PROJECT_DRAFT_KEY,
    tileHost: tileHost(MAP_TILE_URL),
    updated: LEGAL_TEXTS_DATE,
  });
}
