/**
 * The names of the two wire formats of a credential, as the JOSE header's `typ` carries
 * them, and the base of an SD-JWT VC's type (`vct`).
 */

import { VCT_LEGACY_BASE } from '@anxin/schemas';

/** VC-JOSE-COSE: the VC document as the payload of a compact JWS. */
export const VC_JWT_TYP = 'vc+jwt';
/** SD-JWT VC: every holder and subject member selectively disclosable. */
export const SD_JWT_TYP = 'dc+sd-jwt';
/**
 * The SD-JWT VC type (vct) of each credential type as the first SD-JWT VCs named it: this base
 * and the type's name. New ones name the gateway's `<public url>/vct/v1/<type>` (`vctOf`),
 * where its Type Metadata is served; both are read as the same type (`typeOfVct`).
 */
export const VCT_BASE = VCT_LEGACY_BASE;
