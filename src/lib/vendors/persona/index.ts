import type { Vendor } from '../types.js'
import { personaPreset } from './preset.js'

export const persona: Vendor = {
  ...personaPreset,
  provider: 'persona',
  label: 'Persona',
}
