import type { AuthType } from '@latchkey/api';

export const AUTH_CARDS: { type: AuthType; title: string; text: string }[] = [
  { type: 'none', title: 'None', text: 'The API needs no credentials' },
  { type: 'bearer', title: 'Bearer Token', text: 'Authorization: Bearer <token>' },
  { type: 'api_key', title: 'API Key Header', text: 'A key in a header (or query)' },
  { type: 'basic', title: 'Basic', text: 'Username and password' },
  { type: 'headers', title: 'Custom Headers', text: 'Any number of headers' },
  { type: 'oauth2', title: 'OAuth 2.0', text: 'Client credentials or a connected account' },
  { type: 'passthrough', title: 'Passthrough', text: "Each caller's own credentials" },
];

export function AuthCards({ value, saved, onChange }: { value: AuthType; saved: AuthType | undefined; onChange(type: AuthType): void }) {
  return (
    <fieldset className="auth-cards">
      <legend>Authentication type</legend>
      <div className="auth-card-grid">
        {AUTH_CARDS.map((card) => (
          <label key={card.type} className={`auth-card${value === card.type ? ' selected' : ''}`}>
            <input type="radio" name="auth-type" value={card.type} checked={value === card.type} onChange={() => onChange(card.type)} />
            <span className="auth-card-title">{card.title}</span>
            <span className="auth-card-text">{card.text}</span>
            {saved === card.type && <span className="badge saved-badge">In use</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
