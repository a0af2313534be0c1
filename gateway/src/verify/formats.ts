/**
 * The names of the two wire formats of a credential, as the JOSE header's `typ` carries
 * them, and the base of an SD-JWT VC's type (`vct`).
 */

/** VC-JOSE-COSE: the VC document as the payload of a compact JWS. */
export const VC_JWT_TYP = 'vc+jwt';
/** SD-JWT VC: every holder and subject member selectively disclosable. */
export const SD_JWT_TYP = 'dc+sd-jwt';
/** The SD-JWT VC type (vct) of each credential type: this base and the type's name. */
export const VCT_BASE = 'https://anxin.dev/vct/v1/';
