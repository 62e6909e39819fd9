import { startSentrySink } from "./support/sentry-sink";

/** Starts the Sentry sink for the whole run; the returned function stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const sink = await startSentrySink();
  return () => new Promise((resolve) => sink.close(() => resolve()));
}
