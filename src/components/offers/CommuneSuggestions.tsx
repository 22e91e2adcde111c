// Suggestions for a commune field typed into a plain form (the offer forms, a file's settlement
// commune, the proposals' search): as one types,
// the communes of the referential that match (/api/v1/communes, accents ignored) fill a
// native <datalist>, so the browser offers them. Without JavaScript the field is the same
// text field and the server resolves the name.
import { useEffect, useState } from 'preact/hooks';
import { communeLabel } from '../../lib/text.ts';

interface Suggestion {
  code: string;
  name: string;
  postalCodes: string;
}

interface Props {
  /** The id of the text input to enhance. */
  input: string;
  /** /api/v1/communes, with `?departement=` to keep a territory's communes. */
  api: string;
}

export default function CommuneSuggestions({ input, api }: Props) {
  const [options, setOptions] = useState<Suggestion[]>([]);
  const list = `${input}-suggestions`;
  useEffect(() => {
    const field = document.getElementById(input) as HTMLInputElement | null;
    if (!field) return;
    field.setAttribute('list', list);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let request: AbortController | undefined;
    const onInput = () => {
      clearTimeout(timer);
      const q = field.value.trim();
      // A chosen suggestion ("Auch (32000)") is complete: nothing more to look up.
      if (q.length < 2 || /\(\d{5}\)$/.test(q)) return;
      timer = setTimeout(async () => {
        request?.abort();
        request = new AbortController();
        try {
          const res = await fetch(`${api}${api.includes('?') ? '&' : '?'}q=${encodeURIComponent(q)}&limit=8`, {
            signal: request.signal,
          });
          if (res.ok) setOptions(((await res.json()) as { communes: Suggestion[] }).communes);
        } catch {
          // a newer request replaced this one, or the network failed: the typed text stays
        }
      }, 200);
    };
    field.addEventListener('input', onInput);
    // What was typed before the island woke up.
    onInput();
    return () => {
      field.removeEventListener('input', onInput);
      clearTimeout(timer);
    };
  }, [input, api, list]);
  return (
    <datalist id={list}>
      {options.map((s) => (
        <option value={communeLabel(s)} />
      ))}
    </datalist>
  );
}
