import { createContext, type FormEvent, type ReactNode, useContext, useId } from 'react';
import { fieldErrors } from '../lib/field-errors';
import { ErrorState } from './ui';

/** The api's field errors of the form's last submission, by the field path the api names. */
const ErrorsContext = createContext<Record<string, string>>({});

/**
 * A form card: its title, its fields, the api's error (each field's message is also shown next
 * to the field named `name` after the api's path, e.g. `config.strategy.duration`) and the
 * submit button.
 */
export function Form({
  label,
  title,
  onSubmit,
  error,
  busy = false,
  submit,
  disabled = false,
  done,
  children,
}: {
  label: string;
  title?: ReactNode;
  onSubmit: () => void;
  error?: unknown;
  busy?: boolean;
  submit: string;
  disabled?: boolean;
  /** Shown after a successful submission (role=status). */
  done?: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      className="card"
      aria-label={label}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {title && <h2>{title}</h2>}
      <ErrorsContext.Provider value={fieldErrors(error)}>{children}</ErrorsContext.Provider>
      {error ? <ErrorState error={error} /> : null}
      {done ? <p role="status">{done}</p> : null}
      <button type="submit" disabled={busy || disabled}>
        {submit}
      </button>
    </form>
  );
}

/** A labelled form field (the label names the control for screen readers and tests). */
export function Field({
  label,
  children,
  hint,
  name,
}: {
  label: string;
  hint?: string;
  /** The api's path of the field: its 4xx message for that path is shown here. */
  name?: string;
  children: (id: string, described: { 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const problem = useContext(ErrorsContext)[name ?? ''];
  const described = problem ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, described)}
      {hint && <small>{hint}</small>}
      {problem && (
        <small className="field-error" id={`${id}-error`}>
          {problem}
        </small>
      )}
    </div>
  );
}

interface InputProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  name?: string;
  required?: boolean;
  placeholder?: string;
}

export function TextField({
  type = 'text',
  autoComplete,
  ...props
}: InputProps & { type?: 'text' | 'url' | 'search' | 'password' | 'datetime-local'; autoComplete?: string }) {
  return (
    <Field label={props.label} hint={props.hint} name={props.name}>
      {(id, described) => (
        <input
          id={id}
          type={type}
          required={props.required}
          placeholder={props.placeholder}
          autoComplete={autoComplete}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          {...described}
        />
      )}
    </Field>
  );
}

/** A whole number kept as text while typed: the api names a value it refuses. */
export function NumberField({ min, max, ...props }: InputProps & { min?: number; max?: number }) {
  return (
    <Field label={props.label} hint={props.hint} name={props.name}>
      {(id, described) => (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          step={1}
          min={min}
          max={max}
          required={props.required}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          {...described}
        />
      )}
    </Field>
  );
}

export function TextAreaField({ rows = 4, ...props }: InputProps & { rows?: number }) {
  return (
    <Field label={props.label} hint={props.hint} name={props.name}>
      {(id, described) => (
        <textarea
          id={id}
          rows={rows}
          spellCheck={false}
          required={props.required}
          placeholder={props.placeholder}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          {...described}
        />
      )}
    </Field>
  );
}

/** Options as `[value, label]` pairs (or plain values, shown as they are). */
export function SelectField({
  options,
  ...props
}: InputProps & { options: ReadonlyArray<string | readonly [string, string]> }) {
  return (
    <Field label={props.label} hint={props.hint} name={props.name}>
      {(id, described) => (
        <select
          id={id}
          required={props.required}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          {...described}
        >
          {options.map((option) => {
            const [value, text] = typeof option === 'string' ? [option, option] : option;
            return (
              <option key={value} value={value}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
  name,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
}) {
  const problem = useContext(ErrorsContext)[name ?? ''];
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} /> {label}
      </label>
      {problem && <small className="field-error">{problem}</small>}
    </div>
  );
}
