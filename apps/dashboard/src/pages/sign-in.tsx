import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, call } from '../lib/api';
import { session } from '../lib/session';
import { TextField } from '../components/form';

interface ProjectSummary {
  uid: string;
}

/** Sign in with the instance admin key (every project) or a project key (that project). */
export function SignIn() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    session.setKey(key);
    try {
      const projects = await call<ProjectSummary[]>('GET', '/api/v1/projects');
      queries.clear();
      // A project key sees exactly one project: go straight to it.
      const isProjectKey = key.trim().startsWith('CO.');
      navigate(isProjectKey && projects.length === 1 ? `/projects/${projects[0].uid}` : '/projects');
    } catch (caught) {
      session.clear();
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'That key was refused (401): check it, or ask for a new one.'
          : `Could not sign in: ${(caught as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Caravan</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <TextField
          label="API key"
          hint="The instance admin key, or a project key (CO.…). Kept only in this tab."
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={setKey}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
