import { IntersectionType, PickType } from '@nestjs/swagger';
import { PageQueryDto } from '../../common/page-query.dto';
import { EventDeliveryFilterQueryDto } from '../../event-deliveries/dto/event-delivery-query.dto';

/** The project list's filters a customer may use; its endpoints bound them all. */
export class PortalDeliveryQueryDto extends IntersectionType(
  PageQueryDto,
  PickType(EventDeliveryFilterQueryDto, ['endpointId', 'eventId', 'status', 'eventType'] as const),
) {}
