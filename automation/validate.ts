/**
 * zod's configuration for every schema of fixloop (English messages). Schemas import the
 * tree-shakable `zod/mini` API themselves, and this module for its side effect.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
