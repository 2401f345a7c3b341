/** The reflectors the benchmark can run, by --impl name. */
import bgpRr from './bgp-rr.mjs';
import { bird1, bird2 } from './bird.mjs';
import gobgpd from './gobgpd.mjs';

export const reflectors = { 'bgp-rr': bgpRr, gobgpd, bird2, bird1 };
