import { IntersectionType, PickType } from '@nestjs/swagger';
import { PageQueryDto } from '../../common/page-query.dto';
import { EventFilterQueryDto } from '../../events/dto/event-query.dto';

/** The project event list's filters a customer may use; its endpoints bound them all. */
export class PortalEventQueryDto extends IntersectionType(
  PageQueryDto,
  PickType(EventFilterQueryDto, ['endpointId', 'idempotencyKey', 'query', 'startDate', 'endDate'] as const),
) {}
