import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export const EgressIpsSchema = z.object({
  data: z.array(z.string()).describe('Addresses (or CIDR ranges) that delivery requests come from, as configured in EGRESS_IPS'),
});

export class EgressIpsDto extends createZodDto(EgressIpsSchema) {}
