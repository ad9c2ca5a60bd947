import { Module } from '@nestjs/common';
import { SubscriptionFiltersController } from './subscription-filters.controller';
import { SubscriptionFiltersService } from './subscription-filters.service';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  controllers: [SubscriptionsController, SubscriptionFiltersController],
  providers: [SubscriptionsService, SubscriptionFiltersService],
  exports: [SubscriptionsService],
})
export class SubscriptionsModule {}
