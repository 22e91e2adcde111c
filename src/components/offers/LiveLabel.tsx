// The connectivity label of the figures being typed in an offer's form. The server
// renders the label of the saved figures (and decides it again on submit); this island
// only follows the download and upload fields as the agent or owner types.
import { useEffect, useState } from 'preact/hooks';
import { connectivityLabel, type ConnectivityLabel } from '../../server/offers/connectivity-label.ts';

export const liveLabelMessageKeys = ['manage.liveLabel', 'manage.liveLabelNone'] as const;

interface Props {
  /** The ids of the download and upload inputs. */
  download: string;
  upload: string;
  initial: ConnectivityLabel | null;
  m: Record<(typeof liveLabelMessageKeys)[number], string>;
}

const figure = (id: string): number | null => {
  const input = document.getElementById(id) as HTMLInputElement | null;
  const value = input?.value.trim() ?? '';
  return /^\d{1,6}$/.test(value) ? Number(value) : null;
};

export default function LiveLabel({ download, upload, initial, m }: Props) {
  const [label, setLabel] = useState(initial);
  useEffect(() => {
    const update = () => setLabel(connectivityLabel(figure(download), figure(upload)));
    const onInput = (e: Event) => {
      const id = (e.target as HTMLElement | null)?.id;
      if (id === download || id === upload) update();
    };
    document.addEventListener('input', onInput);
    update();
    return () => document.removeEventListener('input', onInput);
  }, [download, upload]);
  const token = (label ?? 'none').toLowerCase();
  return (
    <p class="live-label" aria-live="polite" data-live-label={label ?? ''}>
      <span
        class="live-label__letter"
        style={`background: var(--label-${token}); color: var(--label-${token}-text)`}
        aria-hidden="true"
      >
        {label ?? '?'}
      </span>{' '}
      {label ? m['manage.liveLabel'].replace('{label}', label) : m['manage.liveLabelNone']}
    </p>
  );
}
