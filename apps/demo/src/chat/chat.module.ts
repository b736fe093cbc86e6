import { Module } from '@nestjs/common';
import { ChatController } from './chat.controller.js';
import { ChatGateway } from './chat.gateway.js';

/** The demo's socket.io chat: the gateway and its HTTP side. */
@Module({ controllers: [ChatController], providers: [ChatGateway] })
export class ChatModule {}
